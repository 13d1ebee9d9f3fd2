"""`python -m tcpverify`: the tcpverify command (spec/cli)."""

import sys

from tcpverify.spec.cli import main

sys.exit(main())
