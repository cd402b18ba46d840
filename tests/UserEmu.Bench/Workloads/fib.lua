-- Interpreter workload: naive recursive fib in Lua (lua5.4 is a dynamic binary).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local n = tonumber(arg[1] or "30")
print(string.format("fib(%d) = %d", n, fib(n)))
