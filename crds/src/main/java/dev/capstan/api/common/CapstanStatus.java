package dev.capstan.api.common;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What every Capstan status carries: the generation it describes and its conditions. */
public interface CapstanStatus {
  Long observedGeneration();

  List<Condition> conditions();
}
