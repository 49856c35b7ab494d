import sys
from pathlib import Path

# the test-only plugin in tests/sample_plugin is imported as `sample_plugin`
sys.path.insert(0, str(Path(__file__).parent))
