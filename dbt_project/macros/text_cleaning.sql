{#- Turn a free-text yes/no column into a boolean; anything unrecognised is null. -#}
{% macro parse_flag(column) -%}
    case
        when lower(trim({{ column }})) in ('y', 'yes', 'true', 't', '1') then true
        when lower(trim({{ column }})) in ('n', 'no', 'false', 'f', '0') then false
    end
{%- endmacro %}

{#- Empty or blank strings become null; other values are trimmed. -#}
{% macro blank_to_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
