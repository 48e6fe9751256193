{#- Date and time helpers. The dispatchers return their implementation's
    text; the default__ bodies print, byte for byte, what dbt's print. -#}

{#- current_timestamp prints (does not return) its implementation, so
    {{ current_timestamp() }} and dbt.current_timestamp() give the same text. -#}
{% macro current_timestamp() -%}
    {{ adapter.dispatch('current_timestamp', 'dbt')() }}
{%- endmacro %}
{% macro default__current_timestamp() -%}
    {{ exceptions.raise_not_implemented('current_timestamp macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- The *_backcompat pair keeps the old dbt_utils.current_timestamp
    behaviour (a timestamp without time zone) for projects that relied on it. -#}
{% macro current_timestamp_backcompat() -%}
    {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp_backcompat() %}
    current_timestamp::timestamp
{% endmacro %}

{% macro current_timestamp_in_utc_backcompat() -%}
    {{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp_in_utc_backcompat() -%}
    {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}

{#- The time snapshots stamp their rows with. -#}
{% macro snapshot_get_time() -%}
    {{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
{%- endmacro %}
{% macro default__snapshot_get_time() %}
    {{ current_timestamp() }}
{% endmacro %}

{% macro snapshot_string_as_time(timestamp) -%}
    {{ adapter.dispatch('snapshot_string_as_time', 'dbt')(timestamp) }}
{%- endmacro %}
{% macro default__snapshot_string_as_time(timestamp) -%}
    {{ exceptions.raise_not_implemented('snapshot_string_as_time macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- date(year, month, day): a date literal through to_date, so that the
    value is checked by the database too. -#}
{% macro date(year, month, day) -%}
    {{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{%- endmacro %}
{% macro default__date(year, month, day) -%}
    to_date('{{ '%04d-%02d-%02d' | format(year, month, day) }}', 'YYYY-MM-DD')
{%- endmacro %}

{% macro date_trunc(datepart, date) -%}
    {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{%- endmacro %}
{% macro default__date_trunc(datepart, date) -%}
    date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{#- dateadd(datepart, n, value): value moved by n dateparts. -#}
{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
    {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}

    dateadd(
        {{ datepart }},
        {{ interval }},
        {{ from_date_or_timestamp }}
        )

{% endmacro %}

{#- datediff(a, b, datepart): dateparts from a to b. -#}
{% macro datediff(first_date, second_date, datepart) -%}
    {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{%- endmacro %}
{% macro default__datediff(first_date, second_date, datepart) -%}
    datediff(
        {{ datepart }},
        {{ first_date }},
        {{ second_date }}
        )
{%- endmacro %}

{#- last_day(date, datepart): the last day of the datepart holding date:
    the start of the next period, less one day. -#}
{% macro last_day(date, datepart) -%}
    {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{%- endmacro %}
{% macro default_last_day(date, datepart) -%}
    {%- set next_start = dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date)) -%}
    cast(
        {{ dbt.dateadd('day', '-1', next_start) }}
        as date)
{%- endmacro %}
{% macro default__last_day(date, datepart) -%}
    {{ dbt.default_last_day(date, datepart) }}
{%- endmacro %}

{#- How many dateparts lie between two dates, asked of the database; 1
    when there is no answer (at parse time, or without a connection). -#}
{% macro get_intervals_between(start_date, end_date, datepart) -%}
    {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}
{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
    {%- call statement('get_intervals_between', fetch_result=True) %}

        select {{ dbt.datediff(start_date, end_date, datepart) }}

    {%- endcall -%}
    {%- set found = load_result('get_intervals_between') -%}
    {%- if found and found['data'] -%}
        {{ return(found['data'][0][0]) }}
    {%- endif -%}
    {{ return(1) }}
{%- endmacro %}

{#- date_spine(datepart, start, end): one row per datepart from start
    (included) to end (excluded when it is not on a boundary), in a column
    named date_<datepart>. The rows come from generate_series. -#}
{% macro date_spine(datepart, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) %}
{%- set periods = dbt.get_intervals_between(start_date, end_date, datepart) -%}
{%- set column = 'date_' ~ datepart %}


    {{ '' }}


    with rawdata as (

        {{ dbt.generate_series(periods) }}

    ),

    all_periods as (

        select (
            {{ dbt.dateadd(datepart, "row_number() over (order by 1) - 1", start_date) }}
        ) as {{ column }}
        from rawdata

    ),

    filtered as (

        select *
        from all_periods
        where {{ column }} <= {{ end_date }}

    )

    select * from filtered

{% endmacro %}
