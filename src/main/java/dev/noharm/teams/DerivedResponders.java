package dev.noharm.teams;

import dev.noharm.scoring.DerivedResponder;
import java.util.List;

/** Derived responders made again from the specs a score recorded ({@link DerivedResponder#spec}). */
public final class DerivedResponders {
    static final String CONTROLS = DerivedResponder.CONTROLS;
    static final String ENSEMBLE = DerivedResponder.ENSEMBLE;

    private DerivedResponders() {}

    public static DerivedResponder fromSpec(String spec) {
        if (spec.startsWith(CONTROLS)) {
            String[] parts = spec.substring(CONTROLS.length()).split(":");
            return new Controls(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
        }
        if (spec.startsWith(ENSEMBLE)) {
            return Ensembles.Ensemble.parse(spec.substring(ENSEMBLE.length()));
        }
        throw new IllegalArgumentException("not a derived responder: " + spec);
    }

    public static List<DerivedResponder> fromSpecs(List<String> specs) {
        return specs.stream().map(DerivedResponders::fromSpec).toList();
    }
}
