select a, b from
