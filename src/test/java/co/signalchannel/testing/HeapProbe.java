package co.signalchannel.testing;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Test-only part of a deployment: {@code GET /test/heap} runs full collections until the heap in
 * use stops shrinking and answers how many bytes are left in use, as plain text.
 */
@WebServlet("/test/heap")
public class HeapProbe extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long used = Long.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            Runtime runtime = Runtime.getRuntime();
            long now = runtime.totalMemory() - runtime.freeMemory();
            if (now >= used - (1 << 20)) {
                used = Math.min(used, now);
                break;
            }
            used = now;
        }
        response.setContentType("text/plain");
        response.getWriter().print(used);
    }
}
