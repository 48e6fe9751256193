{#- Postgres-specific helpers (package dbt_postgres). -#}
{% macro postgres__get_relation_last_modified(information_schema, relations) -%}
  {%- do return(none) -%}
{%- endmacro %}

{% macro postgres__split_part(string_text, delimiter_text, part_number) %}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{% endmacro %}

{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {% if limit_num -%}
    array_to_string(
        (array_agg(
            {{ measure }}
            {% if order_by_clause -%}
            {{ order_by_clause }}
            {%- endif %}
        ))[1:{{ limit_num }}],
        {{ delimiter_text }}
        )
    {%- else %}
    string_agg(
        {{ measure }},
        {{ delimiter_text }}
        {% if order_by_clause -%}
        {{ order_by_clause }}
        {%- endif %}
        )
    {%- endif %}
{%- endmacro %}
