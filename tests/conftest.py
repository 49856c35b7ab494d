import sys
from pathlib import Path

# the test-only plugin in tests/sample_plugin is imported as `sample_plugin`
sys.path.insert(0, str(Path(__file__).parent))

# The example plugin package has tests of its own; test_example_plugin.py installs the package
# and runs them the way its author would, so the outer run must not collect them uninstalled.
collect_ignore = ["example_plugin"]
