"""One torch thread for these tests: the tensors are tiny, and on a shared 2-core machine
OpenMP threads spinning against other processes made the suite over 10x slower."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
