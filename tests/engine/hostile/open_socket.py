# attacked: gd
# Would fetch an answer from the network; must fail like an honest wrong answer.
import socket
def gd(grad, x0, eta, num_steps):
    s = socket.create_connection(("1.1.1.1", 53), timeout=0.5)
    s.close()
    return None
