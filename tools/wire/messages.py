"""AWS validation message texts ("Member must ...")."""


def constraint_text(kind, arg):
    if kind == 'pattern':
        return 'Member must satisfy regular expression pattern: ' + arg
    if kind == 'minlen':
        return 'Member must have length greater than or equal to %d' % arg
    if kind == 'maxlen':
        return 'Member must have length less than or equal to %d' % arg
    if kind == 'minval':
        return 'Member must have value greater than or equal to %d' % arg
    if kind == 'maxval':
        return 'Member must have value less than or equal to %d' % arg
    if kind == 'enum':
        return 'Member must satisfy enum value set: [%s]' % ', '.join(arg)
    raise ValueError(kind)


def aggregate_text(constraints):
    """Texts inside "Member must satisfy constraint: [...]": AWS lists max
    length, min length, pattern, then the rest."""
    rank = {'maxlen': 0, 'minlen': 1, 'pattern': 2, 'enum': 3, 'maxval': 4, 'minval': 5}
    ordered = sorted(constraints, key=lambda c: rank[c[0]])
    return ', '.join(constraint_text(k, a) for k, a in ordered)
