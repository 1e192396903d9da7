# attacked: *
# Sleeps at import time for longer than any call may take.
import time
time.sleep(1000)
