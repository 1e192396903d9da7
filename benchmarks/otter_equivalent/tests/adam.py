OK_FORMAT = True

test = {'name': 'adam',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> x, v, s = adam_step(np.array([1.0, -1.0]), np.zeros(2), '
                                'np.zeros(2), 1, np.array([0.5, -3.0]), 0.01, eps=0.0)\n'
                                '>>> bool(np.allclose(v, [0.05, -0.3])) and bool(np.allclose(s, '
                                '[0.00025, 0.009])) and bool(np.allclose(x, [0.99, -0.99]))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
