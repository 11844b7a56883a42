"""``python -m helpers.audit``: the audit's command line (see :func:`helpers.audit.main`)."""

import sys

from helpers.audit import main

sys.exit(main())
