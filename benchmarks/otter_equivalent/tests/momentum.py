OK_FORMAT = True

test = {'name': 'momentum',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> x, v = momentum_step(np.array([1.0]), np.array([0.5]), '
                                'np.array([2.0]), 0.1, 0.9)\n'
                                '>>> bool(np.allclose(v, [0.25])) and bool(np.allclose(x, '
                                '[1.25]))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
