# attacked: *
# os._exit while the module is imported: the worker dies; the module counts as broken.
import os
os._exit(0)
