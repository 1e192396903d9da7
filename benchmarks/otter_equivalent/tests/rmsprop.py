OK_FORMAT = True

test = {'name': 'rmsprop',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> x, s = rmsprop_step(np.array([0.0]), np.array([0.0]), '
                                'np.array([2.0]), 0.1, gamma=0.9, eps=0.0)\n'
                                '>>> bool(np.allclose(s, [0.4])) and bool(np.allclose(x, [-0.2 / '
                                'math.sqrt(0.4)]))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
