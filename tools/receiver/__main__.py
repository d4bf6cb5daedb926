"""`python -m tools.receiver`: start the reference receiver (see `tools.receiver.cli`)."""

import sys

from tools.receiver.cli import main

sys.exit(main())
