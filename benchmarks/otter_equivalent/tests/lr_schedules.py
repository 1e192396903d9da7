OK_FORMAT = True

test = {'name': 'lr_schedules',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> bool(np.isclose(constant_lr(7), 1.0)) and '
                                'bool(np.isclose(exponential_lr(10, rate=0.1), math.exp(-1.0))) '
                                'and bool(np.isclose(polynomial_lr(30, alpha=0.1, power=0.5), '
                                '0.5))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
