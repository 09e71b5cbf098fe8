# Agora's Kazakh formats: year first ("2026 жылғы 1 желтоқсан"), the month in lower case
# (agora/locale_extra holds the month names), a 24-hour clock. Django ships none for kk.
DATE_FORMAT = r"Y \ж\ы\л\ғ\ы j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"Y \ж\ы\л\ғ\ы j E, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
WEEKDAY_DATE_FORMAT = r"Y \ж\ы\л\ғ\ы j E, l"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = r"Y \ж\ы\л\ғ\ы F"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
