package dev.noharm.testing;

import java.io.IOException;
import java.net.ServerSocket;

/** A free TCP port on this machine, for servers a test starts as their own processes. */
public final class LoopbackPorts {
    private LoopbackPorts() {}

    public static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
