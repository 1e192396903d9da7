OK_FORMAT = True

test = {'name': 'gd',
 'points': 3,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> traj = gd(grad_square, 10.0, 0.2, 10)\n'
                                '>>> bool(np.allclose(traj, 10.0 * 0.6 ** np.arange(11), '
                                'rtol=1e-7, atol=0))\n'
                                'True',
                        'hidden': False,
                        'locked': False},
                       {'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> x0 = np.array([4.0, -2.0])\n'
                                '>>> traj = gd(grad_square, x0, 0.25, 3)\n'
                                '>>> bool(np.allclose(traj, [[4.0, -2.0], [2.0, -1.0], [1.0, '
                                '-0.5], [0.5, -0.25]], rtol=1e-7, atol=0))\n'
                                'True\n'
                                '>>> bool(np.array_equal(x0, [4.0, -2.0]))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
