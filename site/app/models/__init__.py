"""Models from elsewhere: ONNX files exported by PyTorch, Keras or TensorFlow, read into engine models by one
set of rules (onnx_rules.py) that the page (onnx_file.py reads the bytes) and tools/onnx_import.py share."""
