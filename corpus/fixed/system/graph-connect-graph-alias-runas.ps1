# expect: MI101 MI303
# why: The Connect-Graph alias with Run As certificate values, connection name taken from a param() default.
param(
    [string] $RunAsConnectionName = "AzureRunAsConnection",
    [string] $NotifyAddress = 'it-ops@contoso.example'
)

Connect-MgGraph -Identity -NoWelcome

$expiring = Get-MgApplication -All | ForEach-Object {
    $app = $_
    $app.PasswordCredentials | Where-Object { $_.EndDateTime -lt (Get-Date).AddDays(30) } | ForEach-Object {
        "{0}: secret {1} expires {2:yyyy-MM-dd}" -f $app.DisplayName, $_.DisplayName, $_.EndDateTime
    }
}

if ($expiring) {
    $body = @{
        message = @{
            subject      = 'Expiring app secrets'
            body         = @{ contentType = 'Text'; content = ($expiring -join "`n") }
            toRecipients = @(@{ emailAddress = @{ address = $NotifyAddress } })
        }
    }
    Send-MgUserMail -UserId $NotifyAddress -BodyParameter $body
}
