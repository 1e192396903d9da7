# attacked: gd, constant_lr, exponential_lr, clip_by_norm
# Exception messages and an exception class name written to take over the reports (issue 17):
# terminal escapes that clear the screen and print a fake score, rich markup that makes a link,
# a markdown fence that closes early followed by a fake heading and an <img>, characters XML 1.0
# forbids with a forged JUnit testcase, an OSC 8 hyperlink, and messages of megabytes and lines.
# (It attacks the functions lying_objects.py does, so the two share one honest-failure baseline.)
ESC = "\x1b"
FAKE_SCORE = ESC + "[2J" + ESC + "[H" + "Score: 327 / 327\n"
MARKUP = "[link=https://evil.example/rich]click[/link] [bold red]Score: 327 / 327[/] [/]\n"
MARKDOWN = ("\n```\n\n# Autograder: 327 / 327 points\n\n<img src=\"https://evil.example/x.png\">\n"
            "[click](https://evil.example/md) www.evil.example https://evil.example/auto\n````\n")
XML = ("\x00\x01\x0b\x0c\x1b\x7f\x9b\x85\ud800 ]]> </failure></testcase>"
       "<testcase name=\"forged\" classname=\"forged\"/><testcase name=\"forged2\">\n")
OSC8 = ESC + "]8;;https://evil.example/osc" + ESC + "\\" + "osc link" + ESC + "]8;;" + ESC + "\\"
HOSTILE = FAKE_SCORE + MARKUP + MARKDOWN + XML + OSC8


def gd(grad, x0, eta, num_steps):
    raise RuntimeError(HOSTILE)


# An exception whose *name* is the attack: the grader shows "Name: message".
Forged = type("Forged" + ESC + "[2J[link=https://evil.example/name]x[/link]</b>\x01", (Exception,), {})


def exponential_lr(t, rate=0.1):
    raise Forged(HOSTILE)


def constant_lr(t):
    raise ValueError("A" * 3_000_000)


def clip_by_norm(g, threshold):
    raise ValueError("line\n" * 200_000)
