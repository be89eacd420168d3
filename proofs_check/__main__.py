"""``python -m proofs_check [--claim ID] [--json] [--quick|--thorough]``."""

import sys

from .verify_command import main

if __name__ == "__main__":
    sys.exit(main())
