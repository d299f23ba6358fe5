package dev.capstan.dataplane.tsdb.influxql;

/**
 * influxql's scanner, ported rune for rune: positions in parse errors depend on exactly how often
 * the reader re-reads the end of input, so the three-slot unread buffers are kept as they are.
 */
final class Scanner {
  static final int EOF_CH = 0;

  record Pos(int line, int ch) {}

  record Tok(Token tok, Pos pos, String lit) {}

  /** Rune reader with a three-slot unread buffer; tracks the position of each rune read. */
  static final class Reader {
    private final int[] runes;
    private int next;
    private int i;
    private int n;
    private int line;
    private int ch;
    private final int[] bufCh = new int[3];
    private final Pos[] bufPos = new Pos[3];
    private boolean eof;

    Reader(String s) {
      this.runes = s.codePoints().toArray();
      for (int k = 0; k < 3; k++) {
        bufPos[k] = new Pos(0, 0);
      }
    }

    int read() {
      if (n > 0) {
        n--;
        return curr();
      }
      int c;
      if (next >= runes.length) {
        c = EOF_CH;
      } else {
        c = runes[next++];
        if (c == '\r') {
          if (next < runes.length && runes[next] == '\n') {
            next++;
          }
          c = '\n';
        } else if (c == 0) {
          c = 0xFFFD; // a NUL in the text must not read as the end of input
        }
      }
      i = (i + 1) % 3;
      bufCh[i] = c;
      bufPos[i] = new Pos(line, ch);
      if (c == '\n') {
        line++;
        ch = 0;
      } else if (!eof) {
        ch++;
      }
      if (c == EOF_CH) {
        eof = true;
      }
      return curr();
    }

    void unread() {
      n++;
    }

    int curr() {
      return bufCh[(i - n + 3) % 3];
    }

    Pos currPos() {
      return bufPos[(i - n + 3) % 3];
    }
  }

  final Reader r;

  Scanner(String s) {
    this.r = new Reader(s);
  }

  static boolean isWhitespace(int c) {
    return c == ' ' || c == '\t' || c == '\n';
  }

  static boolean isLetter(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  static boolean isIdentChar(int c) {
    return isLetter(c) || isDigit(c) || c == '_';
  }

  Tok scan() {
    int c0 = r.read();
    Pos pos = r.currPos();
    if (isWhitespace(c0)) {
      return scanWhitespace();
    } else if (isLetter(c0) || c0 == '_') {
      r.unread();
      return scanIdent(true);
    } else if (isDigit(c0)) {
      return scanNumber();
    }
    switch (c0) {
      case EOF_CH:
        return new Tok(Token.EOF, pos, "");
      case '"':
        r.unread();
        return scanIdent(true);
      case '\'':
        return scanString();
      case '.': {
        int c1 = r.read();
        r.unread();
        if (isDigit(c1)) {
          return scanNumber();
        }
        return new Tok(Token.DOT, pos, "");
      }
      case '$': {
        Tok t = scanIdent(false);
        if (t.tok() != Token.IDENT) {
          return new Tok(t.tok(), pos, "$" + t.lit());
        }
        return new Tok(Token.BOUNDPARAM, pos, "$" + t.lit());
      }
      case '+':
        return new Tok(Token.ADD, pos, "");
      case '-': {
        int c1 = r.read();
        if (c1 == '-') {
          skipUntilNewline();
          return new Tok(Token.COMMENT, pos, "");
        }
        r.unread();
        return new Tok(Token.SUB, pos, "");
      }
      case '*':
        return new Tok(Token.MUL, pos, "");
      case '/': {
        int c1 = r.read();
        if (c1 == '*') {
          if (!skipUntilEndComment()) {
            return new Tok(Token.ILLEGAL, pos, "");
          }
          return new Tok(Token.COMMENT, pos, "");
        }
        r.unread();
        return new Tok(Token.DIV, pos, "");
      }
      case '%':
        return new Tok(Token.MOD, pos, "");
      case '&':
        return new Tok(Token.BITWISE_AND, pos, "");
      case '|':
        return new Tok(Token.BITWISE_OR, pos, "");
      case '^':
        return new Tok(Token.BITWISE_XOR, pos, "");
      case '=': {
        if (r.read() == '~') {
          return new Tok(Token.EQREGEX, pos, "");
        }
        r.unread();
        return new Tok(Token.EQ, pos, "");
      }
      case '!': {
        int c1 = r.read();
        if (c1 == '=') {
          return new Tok(Token.NEQ, pos, "");
        } else if (c1 == '~') {
          return new Tok(Token.NEQREGEX, pos, "");
        }
        r.unread();
        break;
      }
      case '>': {
        if (r.read() == '=') {
          return new Tok(Token.GTE, pos, "");
        }
        r.unread();
        return new Tok(Token.GT, pos, "");
      }
      case '<': {
        int c1 = r.read();
        if (c1 == '=') {
          return new Tok(Token.LTE, pos, "");
        } else if (c1 == '>') {
          return new Tok(Token.NEQ, pos, "");
        }
        r.unread();
        return new Tok(Token.LT, pos, "");
      }
      case '(':
        return new Tok(Token.LPAREN, pos, "");
      case ')':
        return new Tok(Token.RPAREN, pos, "");
      case ',':
        return new Tok(Token.COMMA, pos, "");
      case ';':
        return new Tok(Token.SEMICOLON, pos, "");
      case ':': {
        if (r.read() == ':') {
          return new Tok(Token.DOUBLECOLON, pos, "");
        }
        r.unread();
        return new Tok(Token.COLON, pos, "");
      }
      default:
        break;
    }
    return new Tok(Token.ILLEGAL, pos, new String(Character.toChars(c0)));
  }

  private Tok scanWhitespace() {
    StringBuilder sb = new StringBuilder();
    int c = r.curr();
    Pos pos = r.currPos();
    sb.appendCodePoint(c);
    while (true) {
      c = r.read();
      if (c == EOF_CH) {
        break;
      } else if (!isWhitespace(c)) {
        r.unread();
        break;
      }
      sb.appendCodePoint(c);
    }
    return new Tok(Token.WS, pos, sb.toString());
  }

  private void skipUntilNewline() {
    while (true) {
      int c = r.read();
      if (c == '\n' || c == EOF_CH) {
        return;
      }
    }
  }

  private boolean skipUntilEndComment() {
    while (true) {
      int c1 = r.read();
      if (c1 == '*') {
        while (true) {
          int c2 = r.read();
          if (c2 == '/') {
            return true;
          } else if (c2 == EOF_CH) {
            return false;
          } else if (c2 != '*') {
            break;
          }
        }
      } else if (c1 == EOF_CH) {
        return false;
      }
    }
  }

  private Tok scanIdent(boolean lookup) {
    r.read();
    Pos pos = r.currPos();
    r.unread();
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = r.read();
      if (c == EOF_CH) {
        break;
      } else if (c == '"') {
        Tok t = scanString();
        if (t.tok() == Token.BADSTRING || t.tok() == Token.BADESCAPE) {
          return t;
        }
        return new Tok(Token.IDENT, pos, t.lit());
      } else if (isIdentChar(c)) {
        r.unread();
        sb.append(scanBareIdent());
      } else {
        r.unread();
        break;
      }
    }
    String lit = sb.toString();
    if (lookup) {
      Token t = Token.lookup(lit);
      if (t != Token.IDENT) {
        return new Tok(t, pos, "");
      }
    }
    return new Tok(Token.IDENT, pos, lit);
  }

  private String scanBareIdent() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = r.read();
      if (c == EOF_CH) {
        break;
      } else if (!isIdentChar(c)) {
        r.unread();
        break;
      }
      sb.appendCodePoint(c);
    }
    return sb.toString();
  }

  private Tok scanString() {
    r.unread();
    r.read();
    r.unread();
    Pos pos = r.currPos();
    int ending = r.read();
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c0 = r.read();
      if (c0 == ending) {
        return new Tok(Token.STRING, pos, sb.toString());
      } else if (c0 == EOF_CH || c0 == '\n') {
        return new Tok(Token.BADSTRING, pos, sb.toString());
      } else if (c0 == '\\') {
        int c1 = r.read();
        if (c1 == 'n') {
          sb.append('\n');
        } else if (c1 == '\\') {
          sb.append('\\');
        } else if (c1 == '"') {
          sb.append('"');
        } else if (c1 == '\'') {
          sb.append('\'');
        } else {
          return new Tok(Token.BADESCAPE, r.currPos(),
              "\\" + (c1 == EOF_CH ? "" : new String(Character.toChars(c1))));
        }
      } else {
        sb.appendCodePoint(c0);
      }
    }
  }

  /** Scans /regex/; the caller has seen the '/' without consuming it. */
  Tok scanRegex() {
    Pos pos = r.currPos();
    int start = r.read();
    if (start != '/') {
      return new Tok(Token.BADREGEX, pos, "");
    }
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c0 = r.read();
      if (c0 == '/') {
        return new Tok(Token.REGEX, pos, sb.toString());
      } else if (c0 == EOF_CH || c0 == '\n') {
        return new Tok(Token.BADREGEX, pos, "");
      } else if (c0 == '\\') {
        int c1 = r.read();
        if (c1 == EOF_CH) {
          return new Tok(Token.BADREGEX, pos, "");
        }
        if (c1 == '/') {
          sb.append('/');
        } else {
          // Other escapes pass through to the regex engine untouched.
          r.unread();
          sb.append('\\');
        }
      } else {
        sb.appendCodePoint(c0);
      }
    }
  }

  private Tok scanNumber() {
    StringBuilder sb = new StringBuilder();
    int c = r.curr();
    Pos pos = r.currPos();
    if (c == '.') {
      int c1 = r.read();
      r.unread();
      if (!isDigit(c1)) {
        return new Tok(Token.ILLEGAL, pos, ".");
      }
      r.unread();
    } else {
      r.unread();
    }
    sb.append(scanDigits());
    boolean decimal = false;
    int c0 = r.read();
    if (c0 == '.') {
      decimal = true;
      int c1 = r.read();
      if (isDigit(c1)) {
        sb.appendCodePoint(c0).appendCodePoint(c1).append(scanDigits());
      } else {
        r.unread();
      }
    } else {
      r.unread();
    }
    if (!decimal) {
      c0 = r.read();
      if (isLetter(c0) || c0 == 'µ') {
        sb.appendCodePoint(c0);
        while (true) {
          int c1 = r.read();
          if (!isLetter(c1) && c1 != 'µ') {
            r.unread();
            break;
          }
          sb.appendCodePoint(c1);
        }
        while (true) {
          int c2 = r.read();
          if (isLetter(c2) || c2 == 'µ' || isDigit(c2)) {
            sb.appendCodePoint(c2);
          } else {
            r.unread();
            break;
          }
        }
        return new Tok(Token.DURATIONVAL, pos, sb.toString());
      }
      r.unread();
      return new Tok(Token.INTEGER, pos, sb.toString());
    }
    return new Tok(Token.NUMBER, pos, sb.toString());
  }

  private String scanDigits() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = r.read();
      if (!isDigit(c)) {
        r.unread();
        break;
      }
      sb.appendCodePoint(c);
    }
    return sb.toString();
  }
}
