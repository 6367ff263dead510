package io.planstream.app.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;

/** Test helper: one {@code planstream} command line run in this JVM, with its exit code and output. */
record CliRun(int code, String out, String err) {

    /** Runs {@code args}; {@code out} holds picocli's output and what the command printed to System.out. */
    static CliRun run(String... args) {
        // System.out is swapped before the command line is built: picocli gives subcommands of subcommands
        // (key create, model list) a writer of the System.out it finds then, not the one set on the root.
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = PlanstreamCommand.newCommandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            cl.getOut().flush();
            cl.getErr().flush();
            return new CliRun(code, out + captured.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    /** The last line of the output, e.g. the JSON row of a benchmark. */
    String lastLine() {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }
}
