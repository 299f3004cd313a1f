import sys

from opendti.cli import main

sys.exit(main())
