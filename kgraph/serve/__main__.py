"""A query worker of `kg serve`: python -m kgraph.serve FD PARENT_PID MEMORY_BYTES (started by QueryWorkers)."""

import sys
from multiprocessing.connection import Connection

from kgraph.serve.workers import _worker_main

_fd, _parent, _memory = (int(a) for a in sys.argv[1:4])
_worker_main(Connection(_fd), _parent, _memory or None)
