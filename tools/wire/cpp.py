"""C++ source text: string literals, identifiers, and a line writer."""


def cpp_str(s):
    """A C++ string literal for s."""
    out = ['"']
    for ch in s:
        if ch == '\\':
            out.append('\\\\')
        elif ch == '"':
            out.append('\\"')
        elif ch == '\n':
            out.append('\\n')
        elif ord(ch) < 0x20:
            out.append('\\x%02x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def lower_first(name):
    return name[0].lower() + name[1:]


class Writer:
    def __init__(self):
        self.lines = []

    def __call__(self, line=''):
        self.lines.append(line)

    def text(self):
        return '\n'.join(self.lines) + '\n'
