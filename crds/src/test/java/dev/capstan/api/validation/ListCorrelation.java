package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How the API server pairs an item of a new list with its old version: only items of a
 * {@code x-kubernetes-list-type: map} list have an old self (the item with the same keys).
 * Items of an atomic list (the default) have none, so transition rules below such a list
 * never run and ratcheting does not apply to them.
 */
final class ListCorrelation {
  private ListCorrelation() {}

  /** What must be unique in the list, or null when the list may repeat items. */
  static JsonNode identity(JsonNode item, SchemaNode list) {
    if ("set".equals(list.listType())) {
      return item;
    }
    if ("map".equals(list.listType())) {
      ObjectNode keys = JsonNodeFactory.instance.objectNode();
      list.listMapKeys().forEach(k -> keys.set(k, item.get(k)));
      return keys;
    }
    return null;
  }

  static JsonNode oldItem(JsonNode item, SchemaNode list, JsonNode oldList) {
    if (oldList == null || !oldList.isArray() || !"map".equals(list.listType())) {
      return null;
    }
    JsonNode keys = identity(item, list);
    for (JsonNode candidate : oldList) {
      if (keys.equals(identity(candidate, list))) {
        return candidate;
      }
    }
    return null;
  }
}
