-- Drives `mimigrate lsp` from Neovim 0.7's own LSP client, as a user's editor would,
-- and records what Neovim ends up holding for tests/neovim.rs to compare with the CLI.
--
-- Run as `nvim --headless --clean -c 'luafile harness.lua'` with:
--   MIMIGRATE_BIN       the mimigrate executable (started as `mimigrate lsp`)
--   HARNESS_DOCUMENT    the runbook to open (in a directory with its mimigrate.toml)
--   HARNESS_OUT         an existing directory for what this script writes
--   HARNESS_QUICKFIX    the code of the finding whose quickfix to apply (MI102)
--   HARNESS_TIMEOUT_MS  how long any one wait may last
--
-- Steps, each waiting on a condition (never a fixed sleep):
--   1. open the runbook, start the server, attach it; wait until the diagnostics
--      published are for the buffer's current version; write them (initial.json);
--   2. with the cursor on the HARNESS_QUICKFIX diagnostic, request code actions the
--      way `vim.lsp.buf.code_action()` does, apply the "Fix <code>: ..." edit, wait for
--      the diagnostics of the edited version; write the buffer (quickfix.ps1) and
--      the diagnostics (quickfix.json);
--   3. undo the quickfix (Neovim sends the change back), wait for the diagnostics of
--      the restored text (undone.json), request the `source.fixAll` actions, apply the
--      mimigrate one, wait again; write the buffer (fixall.ps1) and the diagnostics
--      (fixall.json). Fix-all starts from the runbook as opened because after the
--      sign-in's quickfix a runbook may have no safe fix left (en-dash-parameters.ps1:
--      MI104's fix is unsafe), and then the step would show nothing. Not `:edit!`
--      to get back: Neovim 0.7 then sends didClose but no didOpen;
--   4. shut the server down and record how it exited (exit.json).
-- Any error is written to error.txt and Neovim exits with status 3; on success it
-- writes done.txt and exits with 0.

local out = assert(os.getenv('HARNESS_OUT'), 'HARNESS_OUT is not set')

local function write_file(name, text)
  local file = assert(io.open(out .. '/' .. name, 'wb'))
  file:write(text)
  file:close()
end

local function write_json(name, value)
  write_file(name, vim.json.encode(value))
end

local function run()
  local bin = assert(os.getenv('MIMIGRATE_BIN'), 'MIMIGRATE_BIN is not set')
  local document = assert(os.getenv('HARNESS_DOCUMENT'), 'HARNESS_DOCUMENT is not set')
  local quickfix_code = assert(os.getenv('HARNESS_QUICKFIX'), 'HARNESS_QUICKFIX is not set')
  local timeout = tonumber(os.getenv('HARNESS_TIMEOUT_MS') or '20000')

  -- Everything the client and the server say (the server's stderr included, which
  -- Neovim 0.7 logs at ERROR level) goes to $XDG_CACHE_HOME/nvim/lsp.log.
  vim.lsp.set_log_level('debug')

  vim.cmd('edit ' .. vim.fn.fnameescape(document))
  local bufnr = vim.api.nvim_get_current_buf()
  local original = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)

  -- The versions of the document the server has published diagnostics for.
  local published = {}
  local exit = nil
  local initialize_result = nil
  local offered = vim.NIL
  local client_id = vim.lsp.start_client({
    name = 'mimigrate',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(document, ':p:h'),
    before_init = function(params)
      local general = params.capabilities.general
      if general and general.positionEncodings then
        offered = general.positionEncodings
      end
    end,
    on_init = function(_, result)
      initialize_result = result
    end,
    on_exit = function(code, signal)
      exit = { code = code, signal = signal }
    end,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        if result and vim.uri_to_bufnr(result.uri) == bufnr then
          table.insert(published, result.version == nil and vim.NIL or result.version)
        end
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
    },
  })
  assert(client_id, 'vim.lsp.start_client did not start ' .. bin)
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')

  local function wait_for(what, condition)
    local ok = vim.wait(timeout, function()
      return exit ~= nil or condition()
    end, 10)
    if exit ~= nil and not condition() then
      error(string.format('the server exited (code %s, signal %s) while waiting for %s',
        tostring(exit.code), tostring(exit.signal), what))
    end
    if not ok then
      error(string.format('timed out after %d ms waiting for %s', timeout, what))
    end
  end

  wait_for('initialize', function()
    return initialize_result ~= nil
  end)
  local client = vim.lsp.get_client_by_id(client_id)

  -- Diagnostics are current when the last ones published are for the version of the
  -- buffer Neovim last sent (didOpen or didChange).
  local function wait_for_diagnostics(what)
    wait_for('diagnostics of ' .. what, function()
      local version = vim.lsp.util.buf_versions[bufnr]
      return #published > 0 and published[#published] == version
    end)
  end

  local function diagnostics()
    local held = vim.diagnostic.get(bufnr, { namespace = vim.lsp.diagnostic.get_namespace(client_id) })
    local list = {}
    for _, d in ipairs(held) do
      table.insert(list, {
        lnum = d.lnum,
        col = d.col,
        end_lnum = d.end_lnum,
        end_col = d.end_col,
        code = d.code == nil and vim.NIL or d.code,
        source = d.source == nil and vim.NIL or d.source,
        message = d.message,
        severity = d.severity,
      })
    end
    return {
      version = vim.lsp.util.buf_versions[bufnr],
      published = published,
      diagnostics = list,
    }
  end

  -- The buffer as Neovim saves it (its 'fileformat', 'bomb' and final newline), but
  -- to another file and without autocommands: not a save of the document.
  local function write_buffer(name)
    vim.cmd('silent noautocmd write! ' .. vim.fn.fnameescape(out .. '/' .. name))
  end

  local function describe(actions)
    local list = {}
    for _, action in ipairs(actions) do
      table.insert(list, {
        title = action.title,
        kind = action.kind == nil and vim.NIL or action.kind,
        edit = action.edit ~= nil,
        command = action.command ~= nil and (type(action.command) == 'table' and action.command.command
          or action.command) or vim.NIL,
      })
    end
    return list
  end

  local function code_actions(context)
    local params = vim.lsp.util.make_range_params()
    params.context = context
    local response, err = client.request_sync('textDocument/codeAction', params, timeout, bufnr)
    if not response then
      error('textDocument/codeAction got no response: ' .. tostring(err))
    end
    if response.err then
      error('textDocument/codeAction failed: ' .. vim.inspect(response.err))
    end
    return response.result or {}
  end

  -- Apply a code action as vim.lsp.buf.code_action() does: its edit, then its
  -- command (which for this server answers with workspace/applyEdit).
  local function apply(action)
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    end
    if action.command then
      local command = type(action.command) == 'table' and action.command or action
      local response, err = client.request_sync('workspace/executeCommand', {
        command = command.command,
        arguments = command.arguments,
      }, timeout, bufnr)
      if not response then
        error('workspace/executeCommand got no response: ' .. tostring(err))
      end
      if response.err then
        error('workspace/executeCommand failed: ' .. vim.inspect(response.err))
      end
    end
  end

  local function buffers()
    local count = 0
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) then
        count = count + 1
      end
    end
    return count
  end

  -- 1. The diagnostics of the document as opened.
  wait_for_diagnostics('the opened document')
  local initial = diagnostics()
  initial.offset_encoding = client.offset_encoding
  initial.filetype = vim.bo[bufnr].filetype
  initial.offered_encodings = offered
  initial.server_capabilities = initialize_result.capabilities
  write_json('initial.json', initial)

  -- 2. The quickfix of the Run As sign-in finding, asked for at its start.
  local target = nil
  for _, d in ipairs(vim.diagnostic.get(bufnr, { namespace = vim.lsp.diagnostic.get_namespace(client_id) })) do
    if d.code == quickfix_code then
      target = d
      break
    end
  end
  if not target then
    error('Neovim holds no ' .. quickfix_code .. ' diagnostic')
  end
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local actions = code_actions({
    diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, target.lnum, nil, client_id),
  })
  write_json('quickfix-actions.json', describe(actions))
  local prefix = 'Fix ' .. quickfix_code .. ': '
  local chosen = nil
  for _, action in ipairs(actions) do
    if action.kind == 'quickfix' and action.title:sub(1, #prefix) == prefix then
      chosen = action
      break
    end
  end
  if not chosen then
    error('no quickfix titled "' .. prefix .. '..." among ' .. vim.inspect(describe(actions)))
  end
  if not chosen.edit then
    error('the quickfix "' .. chosen.title .. '" carries no WorkspaceEdit')
  end
  local loaded = buffers()
  local before = vim.lsp.util.buf_versions[bufnr]
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  if buffers() ~= loaded then
    error('the quickfix edit opened another buffer (its URI is not the document\'s): '
      .. vim.inspect(vim.tbl_keys(chosen.edit.changes or {})))
  end
  if vim.lsp.util.buf_versions[bufnr] == before then
    error('the quickfix edit changed nothing: ' .. vim.inspect(chosen.edit))
  end
  wait_for_diagnostics('the document after the quickfix')
  write_buffer('quickfix.ps1')
  write_json('quickfix.json', diagnostics())

  -- 3. Back to the runbook as opened, then every safe fix at once.
  vim.cmd('silent undo')
  if not vim.deep_equal(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), original) then
    error('undo did not restore the document as opened')
  end
  wait_for_diagnostics('the document with the quickfix undone')
  write_json('undone.json', diagnostics())
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  actions = code_actions({
    diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, 0, nil, client_id),
    only = { 'source.fixAll' },
  })
  write_json('fixall-actions.json', describe(actions))
  chosen = nil
  for _, action in ipairs(actions) do
    if action.kind == 'source.fixAll.mimigrate' then
      chosen = action
      break
    end
  end
  if not chosen then
    error('no source.fixAll.mimigrate action among ' .. vim.inspect(describe(actions)))
  end
  before = vim.lsp.util.buf_versions[bufnr]
  apply(chosen)
  -- A command's workspace/applyEdit may come after executeCommand is answered.
  wait_for('the fix-all edit', function()
    return vim.lsp.util.buf_versions[bufnr] ~= before
  end)
  wait_for_diagnostics('the document after fixing all')
  write_buffer('fixall.ps1')
  write_json('fixall.json', diagnostics())

  -- 4. shutdown and exit, as when Neovim quits.
  client.stop()
  wait_for('the server to exit', function()
    return exit ~= nil
  end)
  write_json('exit.json', exit)
end

local ok, err = xpcall(run, debug.traceback)
if ok then
  write_file('done.txt', 'ok\n')
  vim.cmd('qa!')
else
  write_file('error.txt', tostring(err) .. '\n')
  vim.cmd('cquit 3')
end
