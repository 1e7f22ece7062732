"""Shape mistakes fail at once with a ValueError naming the op and both shapes, not deep inside numpy."""
import numpy as np
import pytest

from engine import Tensor
from engine.nn import functional as F


@pytest.mark.parametrize(("op", "fn", "shape_a", "shape_b"), [
    ("matmul", lambda a, b: a @ b, (2, 3), (4, 5)),
    ("matmul", lambda a, b: a @ b, (3,), (4,)),
    ("matmul", lambda a, b: a @ b.data, (2, 2, 3), (2, 5)),
    ("add", lambda a, b: a + b, (2, 3), (4,)),
    ("add", lambda a, b: a.data + b, (2, 3), (2,)),
    ("sub", lambda a, b: a - b, (2, 3), (3, 2)),
    ("mul", lambda a, b: a * b, (5,), (4,)),
    ("div", lambda a, b: a / b.data, (5,), (4,)),
    ("linear", lambda a, b: F.linear(a, b), (4, 3), (2, 5)),
    ("mse_loss", lambda a, b: F.mse_loss(a, b.data), (4, 1), (4,)),
    ("binary_cross_entropy_with_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), (4, 1), (4,)),
    ("cross_entropy", lambda a, b: F.cross_entropy(a, b.data.astype(int)), (4, 3), (5,)),
])
def test_shape_mismatch_names_the_op_and_both_shapes(op, fn, shape_a, shape_b):
    a, b = Tensor(np.ones(shape_a), requires_grad=True), Tensor(np.ones(shape_b), requires_grad=True)
    with pytest.raises(ValueError) as error:
        fn(a, b)
    message = str(error.value)
    assert op in message and str(shape_a) in message and str(shape_b) in message, message
