OK_FORMAT = True

test = {'name': 'adagrad',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> x, s = adagrad_step(np.array([1.0, 1.0]), np.zeros(2), '
                                'np.array([2.0, -4.0]), 0.1, eps=0.0)\n'
                                '>>> bool(np.allclose(s, [4.0, 16.0])) and bool(np.allclose(x, '
                                '[0.9, 1.1]))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
