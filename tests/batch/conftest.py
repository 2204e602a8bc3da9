from __future__ import annotations

import pytest

pytest.importorskip("pyarrow", reason="the batch extra (pyarrow) is not installed")
