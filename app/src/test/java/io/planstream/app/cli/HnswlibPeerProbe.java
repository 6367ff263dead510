package io.planstream.app.cli;

import java.util.concurrent.TimeUnit;

import io.planstream.index.bench.HnswlibPeer;

/** Whether Debian's python3-hnswlib is installed, for the tests that run the peer benchmark. */
final class HnswlibPeerProbe {

    static final String REASON = HnswlibPeer.PYTHON + " cannot import hnswlib and numpy: install them with"
            + " bench/peers/install.sh hnswlib (.ci/run does)";

    private HnswlibPeerProbe() {
    }

    static boolean available() {
        try {
            Process p = new ProcessBuilder(HnswlibPeer.PYTHON, "-c", "import hnswlib, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
