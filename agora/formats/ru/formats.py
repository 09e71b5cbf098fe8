# Agora's Russian formats (as Django's, with a comma before the time).
DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
WEEKDAY_DATE_FORMAT = "l, j E Y г."
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y г."
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
