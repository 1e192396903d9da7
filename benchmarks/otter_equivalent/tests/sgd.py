OK_FORMAT = True

test = {'name': 'sgd',
 'points': 3,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> traj = sgd(grad_square, 10.0, 0.2, 5, '
                                'np.random.default_rng(0), noise_std=0.0)\n'
                                '>>> bool(np.allclose(traj, 10.0 * 0.6 ** np.arange(6), rtol=1e-7, '
                                'atol=0))\n'
                                'True',
                        'hidden': False,
                        'locked': False},
                       {'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> draws = np.random.default_rng(42).normal(0.0, 0.5, size=4)\n'
                                '>>> traj = sgd(lambda x: 0.0 * x, 1.0, 0.1, 4, '
                                'np.random.default_rng(42), noise_std=0.5)\n'
                                '>>> bool(np.allclose(traj, np.r_[1.0, 1.0 - 0.1 * '
                                'np.cumsum(draws)], rtol=1e-7, atol=0))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
