OK_FORMAT = True

test = {'name': 'clipping',
 'points': 1,
 'suites': [{'cases': [{'code': '>>> import math, numpy as np\n'
                                '>>> grad_square = lambda x: 2 * np.asarray(x, dtype=float)\n'
                                '>>> bool(np.allclose(clip_by_norm(np.array([3.0, 4.0]), 1.0), '
                                '[0.6, 0.8])) and bool(np.allclose(clip_by_norm(np.array([0.3, '
                                '0.4]), 1.0), [0.3, 0.4])) and '
                                'bool(np.allclose(clip_by_norm(np.zeros(3), 1.0), np.zeros(3)))\n'
                                'True',
                        'hidden': False,
                        'locked': False}],
             'scored': True,
             'setup': '',
             'teardown': '',
             'type': 'doctest'}]}
