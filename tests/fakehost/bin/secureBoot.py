#!/usr/bin/env python3
# Fake ESXi 'secureBoot.py' for tests: runs tests/fakehost/fakehost.py as 'secureBoot.py'.
import os
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
import fakehost  # noqa: E402
try:
    sys.exit(fakehost.run_tool('secureBoot.py', sys.argv[1:]))
except BrokenPipeError:
    sys.exit(141)
