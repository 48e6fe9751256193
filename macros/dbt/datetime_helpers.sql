{#- Python-side date helpers (partition lists for run-operations and
    models that build date-suffixed names). -#}

{#- convert_datetime(text, format): a datetime parsed with strptime. -#}
{% macro convert_datetime(date_str, date_fmt) -%}
    {%- set problem -%}
        The provided partition date '{{ date_str }}' does not match the expected format '{{ date_fmt }}'
    {%- endset -%}
    {%- if try_or_compiler_error is defined -%}
        {{ return(try_or_compiler_error(problem, modules.datetime.datetime.strptime, date_str.strip(), date_fmt)) }}
    {%- endif -%}
    {{ return(modules.datetime.datetime.strptime(date_str.strip(), date_fmt)) }}
{%- endmacro %}

{#- Day arithmetic on the proleptic Gregorian calendar, in plain integers
    (day 0 is 1970-01-01), so that the helpers below need neither
    timedelta nor datetime subtraction. -#}
{% macro _gdbt_day_number(year, month, day) -%}
    {%- set y = year - (1 if month <= 2 else 0) -%}
    {%- set era = y // 400 -%}
    {%- set year_of_era = y - era * 400 -%}
    {%- set day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1 -%}
    {%- set day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year -%}
    {{ return(era * 146097 + day_of_era - 719468) }}
{%- endmacro %}

{% macro _gdbt_civil_date(number) -%}
    {%- set z = number + 719468 -%}
    {%- set era = z // 146097 -%}
    {%- set day_of_era = z - era * 146097 -%}
    {%- set year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365 -%}
    {%- set day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100) -%}
    {%- set mp = (5 * day_of_year + 2) // 153 -%}
    {%- set month = mp + (3 if mp < 10 else -9) -%}
    {{ return([year_of_era + era * 400 + (1 if month <= 2 else 0), month, day_of_year - (153 * mp + 2) // 5 + 1]) }}
{%- endmacro %}

{#- dates_in_range(start, end=start, in_fmt, out_fmt): every day from start
    to end inclusive (keeping start's time of day), formatted with out_fmt,
    or as datetimes when out_fmt is empty. -#}
{% macro dates_in_range(start_date_str, end_date_str=none, in_fmt="%Y%m%d", out_fmt="%Y%m%d") -%}
    {%- set first = convert_datetime(start_date_str, in_fmt) -%}
    {%- set last = convert_datetime(start_date_str if end_date_str is none else end_date_str, in_fmt) -%}
    {%- set first_day = _gdbt_day_number(first.year, first.month, first.day) -%}
    {%- set span = _gdbt_day_number(last.year, last.month, last.day) - first_day -%}
    {%- if span == 0 and (last.hour, last.minute, last.second) < (first.hour, first.minute, first.second) -%}
        {%- set span = -1 -%}
    {%- endif -%}
    {%- if span < 0 -%}
        {%- set msg -%}
            Partition start date is after the end date ({{ first.strftime('%Y-%m-%d %H:%M:%S') }}, {{ last.strftime('%Y-%m-%d %H:%M:%S') }})
        {%- endset -%}
        {{ exceptions.raise_compiler_error(msg, model) }}
    {%- endif -%}
    {%- set days = [] -%}
    {%- for offset in range(span + 1) -%}
        {%- set ymd = _gdbt_civil_date(first_day + offset) -%}
        {%- set stamp = '%04d-%02d-%02d %02d:%02d:%02d' | format(ymd[0], ymd[1], ymd[2], first.hour, first.minute, first.second) -%}
        {%- set day = modules.datetime.datetime.strptime(stamp, '%Y-%m-%d %H:%M:%S') -%}
        {%- do days.append(day.strftime(out_fmt) if out_fmt else day) -%}
    {%- endfor -%}
    {{ return(days) }}
{%- endmacro %}

{#- partition_range("start[,end]", fmt): dates_in_range over the range. -#}
{% macro partition_range(raw_partition_date, date_fmt='%Y%m%d') -%}
    {%- set bounds = (raw_partition_date | string).split(',') -%}
    {%- if bounds | length == 1 -%}
        {{ return(dates_in_range(bounds[0], none, in_fmt=date_fmt)) }}
    {%- elif bounds | length == 2 -%}
        {{ return(dates_in_range(bounds[0], bounds[1], in_fmt=date_fmt)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("Invalid partition time. Expected format: {Start Date}[,{End Date}]. Got: " ~ raw_partition_date) }}
{%- endmacro %}

{% macro py_current_timestring() -%}
    {{ return(modules.datetime.datetime.now().strftime("%Y%m%d%H%M%S%f")) }}
{%- endmacro %}
