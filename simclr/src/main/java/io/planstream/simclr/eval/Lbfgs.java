package io.planstream.simclr.eval;

/**
 * Limited-memory BFGS for smooth functions of a few thousand variables (Nocedal and Wright,
 * "Numerical Optimization", 2nd ed., algorithms 7.4 and 7.5), with a backtracking line search
 * under the Armijo condition. A correction pair is kept only when its curvature {@code s.y} is
 * positive, so the implicit Hessian stays positive definite without a Wolfe search.
 */
final class Lbfgs {

    private static final double ARMIJO = 1e-4;
    private static final int MAX_BACKTRACKS = 30;
    private static final double CURVATURE_EPS = 1e-12;

    /** f and its gradient. */
    interface Function {
        int size();

        /** @return f(x), with its gradient written into {@code gradient} */
        double evaluate(double[] x, double[] gradient);
    }

    /**
     * @param x the minimiser found
     * @param value f there
     * @param iterations iterations taken
     * @param converged whether a tolerance was met (not the iteration limit)
     */
    record Result(double[] x, double value, int iterations, boolean converged) {
    }

    private Lbfgs() {
    }

    /**
     * @param f the function
     * @param start where to start
     * @param options stopping rules
     * @param iterationDone told the number of iterations done after each
     */
    static Result minimize(Function f, double[] start, SoftmaxRegression.Options options,
                           java.util.function.IntConsumer iterationDone) {
        int n = f.size();
        if (start.length != n) {
            throw new IllegalArgumentException("start has " + start.length + " values, the function takes " + n);
        }
        int m = SoftmaxRegression.HISTORY;
        double[][] s = new double[m][];
        double[][] y = new double[m][];
        double[] rho = new double[m];
        double[] alpha = new double[m];
        int stored = 0;
        int newest = -1;

        double[] x = start.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        double[] gNext = new double[n];
        double[] xNext = new double[n];
        double[] dir = new double[n];
        int iteration = 0;
        boolean converged = false;
        while (iteration < options.maxIterations()) {
            if (maxAbs(g) <= options.gradientTolerance()) {
                converged = true;
                break;
            }
            // Two-loop recursion: dir = -H g.
            for (int i = 0; i < n; i++) {
                dir[i] = -g[i];
            }
            for (int j = 0; j < stored; j++) {
                int slot = Math.floorMod(newest - j, m);
                alpha[slot] = rho[slot] * dot(s[slot], dir);
                axpy(-alpha[slot], y[slot], dir);
            }
            double gamma = stored == 0 ? 1 / Math.max(1, norm(g)) : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            for (int i = 0; i < n; i++) {
                dir[i] *= gamma;
            }
            for (int j = stored - 1; j >= 0; j--) {
                int slot = Math.floorMod(newest - j, m);
                double beta = rho[slot] * dot(y[slot], dir);
                axpy(alpha[slot] - beta, s[slot], dir);
            }
            double slope = dot(g, dir);
            if (!(slope < 0)) {
                // Not a descent direction (rounding): start the memory afresh along -g.
                stored = 0;
                double scale = 1 / Math.max(1, norm(g));
                for (int i = 0; i < n; i++) {
                    dir[i] = -g[i] * scale;
                }
                slope = dot(g, dir);
            }
            double step = 1;
            double fNext = Double.NaN;
            boolean accepted = false;
            for (int tries = 0; tries < MAX_BACKTRACKS; tries++) {
                for (int i = 0; i < n; i++) {
                    xNext[i] = x[i] + step * dir[i];
                }
                fNext = f.evaluate(xNext, gNext);
                if (Double.isFinite(fNext) && fNext <= fx + ARMIJO * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            iteration++;
            iterationDone.accept(iteration);
            if (!accepted) {
                // No decrease left at float precision: as good as it gets.
                converged = true;
                break;
            }
            double[] sNew = new double[n];
            double[] yNew = new double[n];
            for (int i = 0; i < n; i++) {
                sNew[i] = xNext[i] - x[i];
                yNew[i] = gNext[i] - g[i];
            }
            double sy = dot(sNew, yNew);
            if (sy > CURVATURE_EPS * dot(yNew, yNew)) {
                newest = (newest + 1) % m;
                s[newest] = sNew;
                y[newest] = yNew;
                rho[newest] = 1 / sy;
                stored = Math.min(m, stored + 1);
            }
            double decrease = fx - fNext;
            double[] t = x;
            x = xNext;
            xNext = t;
            t = g;
            g = gNext;
            gNext = t;
            double previous = fx;
            fx = fNext;
            if (decrease <= options.relativeTolerance() * Math.max(1, Math.max(Math.abs(previous), Math.abs(fx)))) {
                converged = true;
                break;
            }
        }
        if (!converged && maxAbs(g) <= options.gradientTolerance()) {
            converged = true;
        }
        return new Result(x, fx, iteration, converged);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** b += a * x */
    private static void axpy(double a, double[] x, double[] b) {
        for (int i = 0; i < x.length; i++) {
            b[i] += a * x[i];
        }
    }
}
