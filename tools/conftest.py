"""The tools import torch or onnx at the top. Where the test extras are missing, pytest leaves those modules
out of its doctest collection (tests/tools then reports its tests as skipped) instead of stopping the run."""
import importlib.util

collect_ignore = [module for module, needs in (("torch_trace.py", "torch"), ("onnx_import.py", "onnx"),
                                                ("train_torch_mnist.py", "torch"))
                  if importlib.util.find_spec(needs) is None]
