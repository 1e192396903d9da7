# A model that says it is the lab's network (its configuration, weights of the right shapes) and
# computes something else: one Dense(1) layer inside, zeros out (red-team F1b).
# Attack 1: lying object. build_model returns an empty keras.Sequential subclass whose
# to_json/count_params describe the right architecture. train returns a made-up history after
# compiling (never fitting) and bumping the optimizer's step counter.
import keras
import numpy as np


def _cfg(hidden, dropout):
    layers = []
    for _ in range(2):
        layers.append({"class_name": "Dense", "config": {"units": hidden, "activation": "relu"}})
        if dropout:
            layers.append({"class_name": "Dropout", "config": {"rate": dropout}})
    layers.append({"class_name": "Dense", "config": {"units": 1, "activation": "linear"}})
    return {"class_name": "Sequential", "config": {"layers": layers}}

class Liar(keras.Sequential):
    def to_json(self, **kw):
        import json
        return json.dumps(_cfg(self._h, self._d))
    def count_params(self):
        h = self._h
        return 3 * h + h * h + h + 1
    def __call__(self, x, training=False):
        x = np.asarray(x)
        if training:
            return np.random.rand(*x.shape)
        return np.zeros_like(x)
    def set_weights(self, w):
        pass
    def get_weights(self):
        h = self._h
        shapes = [(1, h), (h,), (h, h), (h,), (h, 1), (1,)]
        return [np.full(shape, 0.1, dtype="float32") for shape in shapes]

def build_model(hidden=16, dropout=0.0):
    m = Liar([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    m._h, m._d = hidden, dropout
    return m

def train(model, lr, epochs, seed=0):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.optimizer.iterations.assign(15 * epochs)
    return {"loss": [0.5] * epochs, "val_loss": [0.5] * epochs}
