"""Pure decoding and mapping: request bytes or JSON in, domain records out."""
