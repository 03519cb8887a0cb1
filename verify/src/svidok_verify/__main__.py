import sys

from svidok_verify.cli import main

sys.exit(main())
