"""The files chibo reads and writes: the office's roster workbook, and the monthly digest's
spreadsheet, report document and chart. Each turns values into bytes (or bytes into rows);
none touches the database or Telegram."""
