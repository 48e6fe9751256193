select payload->>'id', payload->'user'->>'name' as user_name, payload #>> '{a,b}', (payload->>'n')::int, payload @> '{"x":1}', jsonb_extract_path_text(payload, 'k')
from raw.events
