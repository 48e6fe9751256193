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

{#- dates_in_range(start, end=start, in_fmt, out_fmt): every day from start
    to end inclusive, formatted with out_fmt (datetimes when out_fmt is
    empty). -#}
{% macro dates_in_range(start_date_str, end_date_str=none, in_fmt="%Y%m%d", out_fmt="%Y%m%d") -%}
    {%- set first = convert_datetime(start_date_str, in_fmt) -%}
    {%- set last = convert_datetime(start_date_str if end_date_str is none else end_date_str, in_fmt) -%}
    {%- set span = (last - first).days -%}
    {%- if span < 0 -%}
        {%- set msg -%}
            Partition start date is after the end date ({{ first }}, {{ last }})
        {%- endset -%}
        {{ exceptions.raise_compiler_error(msg, model) }}
    {%- endif -%}
    {%- set days = [] -%}
    {%- for offset in range(span + 1) -%}
        {%- set day = modules.datetime.timedelta(days=offset) + first -%}
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
