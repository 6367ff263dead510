package io.planstream.simclr.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The outcome of one evaluation protocol.
 *
 * @param protocol how it was measured
 * @param top1 fraction of test images whose predicted class is right, in [0, 1]
 * @param top5 fraction whose class is among the five best; empty with fewer than six classes,
 *     where it says nothing
 * @param nTrain labelled images the protocol learnt from
 * @param nTest images it was scored on
 * @param featureDim length of the representation evaluated
 * @param seconds wall time of the protocol itself (feature extraction is reported in
 *     {@code parameters} where it was done once for several protocols)
 * @param parameters the settings that produced the figure (k, temperature, chosen L2 strength,
 *     epochs...), in a stable order
 */
public record EvalResult(Protocol protocol, double top1, OptionalDouble top5, int nTrain, int nTest, int featureDim,
                         double seconds, Map<String, Object> parameters) {

    public EvalResult {
        if (protocol == null) {
            throw new IllegalArgumentException("protocol must be set");
        }
        if (!(top1 >= 0 && top1 <= 1)) {
            throw new IllegalArgumentException("top1 must be in [0, 1], got " + top1);
        }
        top5 = top5 == null ? OptionalDouble.empty() : top5;
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters == null ? Map.of() : parameters));
    }

    /** @return a copy with more parameters added after the existing ones */
    public EvalResult withParameters(Map<String, Object> more) {
        Map<String, Object> p = new LinkedHashMap<>(parameters);
        p.putAll(more);
        return new EvalResult(protocol, top1, top5, nTrain, nTest, featureDim, seconds, p);
    }
}
