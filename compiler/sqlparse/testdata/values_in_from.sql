select v.id, v.label, upper(label) from (values (1, 'one'), (2, 'two')) as v(id, label)
